import Logging

/// The log handler of one call: the server's handler plus the call's request id, trace id,
/// method and caller, which are added to a line's metadata only when a line is written.
///
/// Setting the ids as metadata on the server's logger for every call (a copy of its metadata
/// dictionary and four inserts) showed in the server's profile, while at the default `info`
/// level a successful call writes no line at all.
struct CallLogHandler: LogHandler {
    var base: any LogHandler
    private var fields: [(key: String, value: String)]

    init(base: any LogHandler, requestID: String, traceID: String, rpc: String) {
        self.base = base
        self.fields = [("request_id", requestID), ("trace_id", traceID), ("rpc", rpc)]
    }

    /// The call's logger: `logger`'s label and handler with the call's ids.
    static func logger(_ logger: Logger, requestID: String, traceID: String, rpc: String) -> Logger {
        let handler = CallLogHandler(base: logger.handler, requestID: requestID, traceID: traceID, rpc: rpc)
        return Logger(label: logger.label) { _ in handler }
    }

    /// Adds a call field (such as the caller), as `logger[metadataKey:] = .string(value)` would.
    mutating func add(_ key: String, _ value: String) {
        fields.removeAll { $0.key == key }
        fields.append((key, value))
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    var metadata: Logger.Metadata {
        get {
            var metadata = base.metadata
            for field in fields { metadata[field.key] = .string(field.value) }
            return metadata
        }
        set {
            // The new dictionary is all the metadata there is, call fields included.
            fields = []
            base.metadata = newValue
        }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { fields.last { $0.key == key }.map { .string($0.value) } ?? base[metadataKey: key] }
        set {
            fields.removeAll { $0.key == key }
            base[metadataKey: key] = newValue
        }
    }

    func log(event: LogEvent) {
        var event = event
        var metadata = Logger.Metadata(minimumCapacity: fields.count + (event.metadata?.count ?? 0))
        for field in fields { metadata[field.key] = .string(field.value) }
        if let extra = event.metadata { metadata.merge(extra) { $1 } }
        event.metadata = metadata
        base.log(event: event)
    }
}

extension Logger {
    /// Adds a field to a call's logger (made by ``CallLogHandler/logger(_:requestID:traceID:rpc:)``)
    /// without materialising its metadata; on any other logger, sets the metadata key.
    mutating func addCallField(_ key: String, _ value: String) {
        if var call = handler as? CallLogHandler {
            call.add(key, value)
            handler = call
        } else {
            self[metadataKey: key] = .string(value)
        }
    }
}
