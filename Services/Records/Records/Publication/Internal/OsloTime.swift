import Messages

/// Oslo wall-clock time for people: UTC is stored, Europe/Oslo is shown (DESIGN.md §7).
///
/// Computed from the summer-time rule Norway follows with the EU — UTC+2 (CEST) from 01:00 UTC
/// on the last Sunday of March to 01:00 UTC on the last Sunday of October, UTC+1 (CET)
/// otherwise — rather than from the machine's zone database, so a protocol derived from the
/// record reads the same wherever it is derived.
enum OsloTime {
    /// `2026-03-02 10:00 CET`.
    static func format(_ time: Timestamp) -> String {
        let summer = isSummerTime(time)
        let local = time.adding(milliseconds: (summer ? 2 : 1) * 3_600_000).iso8601
        return "\(local.prefix(10)) \(local.dropFirst(11).prefix(5)) \(summer ? "CEST" : "CET")"
    }

    static func isSummerTime(_ time: Timestamp) -> Bool {
        let year = time.iso8601.prefix(4)
        guard let start = lastSunday(ofMonth: "03", year), let end = lastSunday(ofMonth: "10", year) else { return false }
        return start <= time && time < end
    }

    /// 01:00 UTC on the last Sunday of March or October (both have 31 days).
    private static func lastSunday(ofMonth month: String, _ year: Substring) -> Timestamp? {
        guard let day31 = Timestamp(iso8601: "\(year)-\(month)-31T01:00:00Z") else { return nil }
        let ms = day31.millisecondsSinceEpoch
        let days = (ms - (ms < 0 ? 86_399_999 : 0)) / 86_400_000
        // Day 0, 1970-01-01, was a Thursday: with Sunday as 0 its weekday is 4.
        let weekday = ((days % 7) + 7 + 4) % 7
        return day31.adding(days: -Int(weekday))
    }
}
