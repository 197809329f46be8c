import Negotiation

print("tender-negotiation: not built yet (port \(NegotiationApp.defaultPort))")
