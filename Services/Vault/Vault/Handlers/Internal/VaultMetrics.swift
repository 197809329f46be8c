import Metrics

/// The Vault's own metrics. Labels are fixed words, never a ref, an owner or a field.
enum VaultMetrics {
    /// How an `Open` ended.
    enum OpenOutcome: String {
        case ok
        case denied
        case notFound = "not_found"
        case shredded
        case dataLoss = "data_loss"
        case unavailable
        /// The Vault's own fault (e.g. a key version missing from the ring).
        case failed = "error"
    }

    /// `vault_deposits_total`: deposits committed.
    static func deposited() {
        Counter(label: "vault_deposits_total").increment()
    }

    /// `vault_opens_total{outcome}`: reads, by outcome.
    static func opened(_ outcome: OpenOutcome) {
        Counter(label: "vault_opens_total", dimensions: [("outcome", outcome.rawValue)]).increment()
    }
}
