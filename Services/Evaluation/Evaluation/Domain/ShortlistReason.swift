/// The reason an application was not shortlisted, written from the numbers alone, so it says
/// the same to everyone and reveals nothing about any other application but the
/// shortlist's lowest total.
enum ShortlistReason {
    /// "Ranked 7 of 79 with 6.85 points; the shortlist's lowest total was 7.10 (rank 4)",
    /// and, when it tied with that total, which published rule placed it below.
    static func notChosen(rank: Int, of count: Int, total: Int, lowestShortlisted: Int?, places: Int, decidedByTieBreak rule: String?) -> String {
        var text = "Ranked \(rank) of \(count) with \(Hundredths.text(total)) points"
        guard let lowest = lowestShortlisted else { return text + "; there were no places" }
        if let rule {
            text += "; tied with the shortlist's lowest total (rank \(places)), it was placed below by the published tie-break: \(rule)"
        } else {
            text += "; the shortlist's lowest total was \(Hundredths.text(lowest)) (rank \(places))"
        }
        return text
    }
}
