public import RPC
import Messages

extension Caller {
    /// Intake itself, closing intake at the deadline without an officer.
    public static let intakeService = Caller(subject: "intake", role: .service)

    var isOfficer: Bool { role == .officer }
}
