import Negotiation
import ServiceKit

await ServiceMain.run("negotiation") {
    try await NegotiationApp.run()
}
