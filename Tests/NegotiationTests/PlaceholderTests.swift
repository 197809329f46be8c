import Negotiation
import Testing

@Test func placeholder() { #expect(NegotiationApp.defaultPort == 7500) }
