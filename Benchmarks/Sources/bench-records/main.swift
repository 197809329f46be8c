import BenchSupport
import Foundation

// The Records benchmarks, through the library (no HTTP/2; the RPC section measures that):
//
//   bench-records appends --database sqlite|postgres --callers 64 --seconds 10
//       appends/s with concurrent callers through RecordLog's group commit (maxBatch 256,
//       as tender-records runs it), on a fresh log
//   bench-records proofs --database sqlite|postgres --sizes 1000,100000,1000000 --proofs 2000
//       grows one log to each size in big batches, then times ProveInclusion and
//       ProveConsistency through the RPC dispatcher with Records' own handlers, and
//       reports the database bytes per entry
//
// PostgreSQL is TENDER_TEST_DATABASE_URL (scripts/with-postgres); its public schema is
// emptied first, so only ever point it at a throwaway cluster.
let options = Options()
let mode = options.positional.first ?? "appends"
let bench = try await RecordsBench.open(database: options.string("database", "sqlite"))
switch mode {
case "appends":
    try await bench.appends(callers: options.int("callers", 64), seconds: options.double("seconds", 10))
case "proofs":
    let sizes = options.string("sizes", "1000,100000,1000000").split(separator: ",").compactMap { Int64($0) }
    try await bench.proofs(sizes: sizes, proofs: options.int("proofs", 2000))
default:
    FileHandle.standardError.write(Data("unknown mode \(mode): appends or proofs\n".utf8))
    exit(2)
}
try await bench.close()
