import Evaluation
import ServiceKit

await ServiceMain.run("evaluation") {
    try await EvaluationApp.run()
}
