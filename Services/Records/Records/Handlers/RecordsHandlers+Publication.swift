import Messages
import RPC

extension RecordsHandlers {
    /// GetProtocol and ExportOCDS arrive with the event vocabulary's publication module.
    func registerPublication(_ router: inout RPCRouter) {}
}
