import EvolutionAdmission
import EvolutionAPI
import Foundation
import KubeJSON
import Logging

/// What `causeway webhook` serves, path by path: POST /mutate-evolutions (stamping who
/// acknowledged or retried, `AckStamping`), POST /validate-governed (journaling and freezing
/// writes to governed objects, `GovernedWrites`), GET /healthz. One definition for the command
/// and the benchmark that measures it.
public struct AdmissionRoutes: Sendable {
    public let key: StampKey
    /// Where journaled writes go; nil: nowhere (logged only).
    public let journal: WebhookJournal?
    public let logger: Logger

    public init(key: StampKey, journal: WebhookJournal?, logger: Logger) {
        self.key = key
        self.journal = journal
        self.logger = logger
    }

    public func handle(method: String, path: String, body: [UInt8]) async -> (status: Int, body: [UInt8]) {
        let route = path.split(separator: "?").first.map(String.init) ?? path
        if method == "GET", route == "/healthz" { return (200, Array("ok".utf8)) }
        guard method == "POST", route == "/mutate-evolutions" || route == "/validate-governed" else { return (404, Array(#"{"message":"not found"}"#.utf8)) }
        guard let review = try? JSON.parse(body), let request = review["request"], let uid = request["uid"] else {
            logger.warning("not an AdmissionReview", metadata: ["path": .string(path)])
            return (400, Array(#"{"message":"expected an admission.k8s.io/v1 AdmissionReview"}"#.utf8))
        }
        var response: JSON
        if route == "/validate-governed" {
            let review = GovernedWrites.review(request, key: key, now: Timestamp(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9)).rfc3339)
            response = review.response
            if let entry = review.entry { await record(entry) } else {
                logger.debug("a write that leaves what Causeway applied alone", metadata: [
                    "name": .string(request["name"]?.stringValue ?? ""), "namespace": .string(request["namespace"]?.stringValue ?? ""),
                    "operation": .string(request["operation"]?.stringValue ?? ""), "user": .string(request[path: "userInfo", "username"]?.stringValue ?? "")])
            }
        } else {
            response = AckStamping.response(to: request, key: key)
            if response["patch"] != nil {
                logger.info("stamped who acknowledged or retried", metadata: [
                    "evolution": .string(request["name"]?.stringValue ?? ""), "namespace": .string(request["namespace"]?.stringValue ?? ""),
                    "user": .string(request[path: "userInfo", "username"]?.stringValue ?? "")])
            }
        }
        response["uid"] = uid
        let answer: JSON = ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response]
        return (200, answer.serialized())
    }

    /// A write by someone else to what Causeway applied: logged, and queued for the journal.
    private func record(_ entry: JournalEntry) async {
        let metadata: Logger.Metadata = ["object": .string(entry.object.description), "evolution": .string(entry.evolution), "user": .string(entry.user),
                                         "operation": .string(entry.operation), "fields": .string(entry.fields.joined(separator: ",")),
                                         "dryRun": .stringConvertible(entry.dryRun)]
        if !entry.allowed {
            logger.warning("denied a write to a frozen object", metadata: metadata)
        } else {
            logger.info(entry.breakGlass == nil ? "someone else changed what Causeway applied" : "a write broke the glass of a freeze",
                        metadata: metadata.merging(entry.breakGlass.map { ["breakGlass": .string($0)] } ?? [:]) { $1 })
        }
        // A dry run has no side effects (the configurations say sideEffects: NoneOnDryRun): decided, logged, not stored.
        if !entry.dryRun { await journal?.append(entry) }
    }
}
