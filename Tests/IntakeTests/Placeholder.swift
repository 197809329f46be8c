@testable import Intake
import Testing
