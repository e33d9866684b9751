/// Manifests more than one test suite builds its scenario from.
public enum Fixtures {
    /// An Evolution that applies ConfigMap `configMap` in namespace `objectNamespace` on
    /// the target whose kubeconfig is Secret `secret`, with a check that never holds: it
    /// keeps watching the object until it is deleted (what release tests count).
    public static func watchingForever(name: String, secret: String, configMap: String, objectNamespace: String) -> String {
        """
        apiVersion: causeway.dev/v1alpha1
        kind: Evolution
        metadata: {name: \(name), namespace: default}
        spec:
          targets: [{name: region, kubeconfigSecretRef: {name: \(secret)}}]
          steps:
            - name: a
              apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: \(configMap), namespace: \(objectNamespace)}}]}
              converge: {checks: [{jsonPath: {object: {apiVersion: v1, kind: ConfigMap, name: \(configMap), namespace: \(objectNamespace)}, path: .data.never, exists: true}}]}
        """
    }

    /// An Evolution `gw` that applies ConfigMap default/gateway (`allowRoles: admins`) on target
    /// `eu-west` (kubeconfig Secret `eu-west`), with drift policy `policy`: what drift tests change.
    public static func gatewayEvolution(policy: String = "Report") -> String {
        """
        apiVersion: causeway.dev/v1alpha1
        kind: Evolution
        metadata: {name: gw, namespace: default}
        spec:
          targets: [{name: eu-west, kubeconfigSecretRef: {name: eu-west}}]
          drift: {policy: \(policy)}
          steps:
            - name: gateway-policy
              apply: {manifests: [{apiVersion: v1, kind: ConfigMap, metadata: {name: gateway, namespace: default}, data: {allowRoles: admins}}]}
        """
    }
}
