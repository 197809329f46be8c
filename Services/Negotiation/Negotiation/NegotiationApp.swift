/// The `tender-negotiation` process (placeholder until the service lands).
public enum NegotiationApp {
    public static let defaultPort = 7500
}
