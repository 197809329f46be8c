import Foundation
import Logging
import Messages
import ServiceKit
import TestServiceKit
import Testing

@Suite("Wall clock")
struct WallClockTests {
    @Test("a driven clock follows its shared file, only forwards, and every service sees the same time")
    func drivenClock() throws {
        let env = try TestEnvironment(name: "clock")
        defer { env.remove() }
        let file = env.directory + "/clock.json"
        let intake = DrivenWallClock(file: file, logger: Logger(label: "intake"))
        let vault = DrivenWallClock(file: file, logger: Logger(label: "vault"))
        let before = intake.now()
        #expect(intake.offset() == 0, "no file yet: the system clock")
        #expect(try DrivenWallClock.advance(file: file, byMilliseconds: 10 * 86_400_000) == 10 * 86_400_000)
        #expect(intake.offset() == 10 * 86_400_000)
        #expect(vault.offset() == 10 * 86_400_000)
        #expect(intake.now() >= before.adding(days: 10))
        #expect(try DrivenWallClock.advance(file: file, byMilliseconds: 1000) == 10 * 86_400_000 + 1000)
        #expect(vault.offset() == 10 * 86_400_000 + 1000)
        #expect(throws: SettingsError.self) { try DrivenWallClock.advance(file: file, byMilliseconds: -1) }
        let system = SystemWallClock().now()
        #expect(abs(system.millisecondsSinceEpoch - Timestamp(Date()).millisecondsSinceEpoch) < 5000)
    }

    @Test("a production configuration refuses a driven clock")
    func productionRefusesDrivenTime() async throws {
        await #expect(throws: SettingsError.self) {
            try await ServiceSettings.load(service: "intake", defaultPort: 1, environment: ["ENVIRONMENT": "production", "CLOCK_FILE": "/tmp/clock.json"])
        }
        let production = try await ServiceSettings.load(service: "intake", defaultPort: 1, environment: ["ENVIRONMENT": "production"])
        #expect(production.drivenClockFile == nil)
        let local = try await ServiceSettings.load(service: "intake", defaultPort: 1, environment: ["CLOCK_FILE": "/tmp/clock.json"])
        #expect(local.drivenClockFile == "/tmp/clock.json" && local.environment == "local")
        await #expect(throws: SettingsError.self) { try await ServiceSettings.load(service: "intake", defaultPort: 1, environment: ["ENVIRONMENT": "staging"]) }
    }
}
