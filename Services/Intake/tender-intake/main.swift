import Intake
import ServiceKit

await ServiceMain.run("intake") {
    try await IntakeApp.run()
}
