import ServiceKit
import Vault

await ServiceMain.run("vault") {
    try await VaultApp.run()
}
