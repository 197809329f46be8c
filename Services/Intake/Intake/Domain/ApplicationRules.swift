public import Messages
import ServiceKit

/// The checks on an application's public part. The confidential part is the Vault's; Intake
/// checks only its receipt (``VaultReceiptKey``).
public enum ApplicationRules {
    /// Checks `part` for a challenge whose announced budget is `budget` (nil: none announced).
    /// `path` is where the part sits in the request (`application`, `publicPart`).
    public static func check(_ part: ApplicationPublicPart, budget: Money?, path: String) throws(RPCError) {
        try TextRule.check(part.companyName, TextRule.join(path, "companyName"), length: 1...200)
        try TextRule.check(part.contact.name, TextRule.join(path, "contact.name"), length: 1...200)
        try TextRule.checkEmail(part.contact.email, TextRule.join(path, "contact.email"))
        if let phone = part.contact.phone {
            try TextRule.check(phone, TextRule.join(path, "contact.phone"), length: 1...40)
        }
        try TextRule.check(part.solutionSummary, TextRule.join(path, "solutionSummary"), length: 1...2000)
        let budgetPath = TextRule.join(path, "requestedBudget")
        guard part.requestedBudget.ore > 0 else { throw RPCError.invalidField(budgetPath, "must be positive") }
        if let budget, part.requestedBudget > budget {
            throw RPCError.invalidField(budgetPath, "must not exceed the challenge's budget (\(budget))")
        }
    }
}
