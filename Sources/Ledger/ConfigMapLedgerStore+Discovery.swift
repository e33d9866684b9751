import KubeClient
import KubeJSON

extension ConfigMapLedgerStore {
    /// One ledger found in a namespace: whose it is and how many segments hold it.
    public struct Found: Sendable, Equatable {
        public var evolution: EvolutionRef
        public var segments: Int
    }

    /// The ledgers kept in `namespace`, one per Evolution uid, found by the segments'
    /// labels — so also the ledgers of Evolutions since deleted (or deleted and
    /// re-created under the same name, which have a new uid and a ledger of their own).
    /// With `name`, only ledgers of Evolutions of that name. Sorted by name, then uid.
    ///
    /// Segments missing the uid label or the name are skipped here; loading that
    /// ledger reports them.
    public static func ledgers(client: KubeClient, namespace: String, name: String? = nil) async throws -> [Found] {
        var selector = "\(ledgerLabel)=true"
        if let name, name.count <= 63 { selector += ",\(evolutionLabel)=\(name)" }
        let list: ObjectList
        do throws(KubeClientError) {
            list = try await client.listAll(.configMaps, namespace: namespace, options: ListOptions(labelSelector: selector))
        } catch {
            throw ConfigMapLedgerError.api(operation: "listing", configMap: "\(namespace)/[\(selector)]", error: error)
        }
        var byUID: [String: Found] = [:]
        for item in list.items {
            guard let uid = item[path: "metadata", "labels", evolutionUIDLabel]?.stringValue,
                  let evolutionName = item[path: "metadata", "annotations", evolutionNameAnnotation]?.stringValue
                    ?? item[path: "metadata", "labels", evolutionLabel]?.stringValue
            else { continue }
            if let name, evolutionName != name { continue }
            byUID[uid, default: Found(evolution: EvolutionRef(namespace: namespace, name: evolutionName, uid: uid), segments: 0)]
                .segments += 1
        }
        return byUID.values.sorted {
            ($0.evolution.name, $0.evolution.uid) < ($1.evolution.name, $1.evolution.uid)
        }
    }
}
