import Records
import ServiceKit

await ServiceMain.run("records") {
    try await RecordsApp.run()
}
