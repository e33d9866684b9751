import ArgumentParser

/// `hack/dev.sh` runs this. Today it says plainly what exists; it grows into the
/// embedded regions + controller + example run as those land.
struct Dev: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Causeway locally on its embedded default.")

    func run() throws {
        print("""
            causeway dev — what this build can do today

            Built and tested:
              • KubeJSON   strict JSON for unstructured objects (≈200 MB/s parse, ≈430 MB/s write)
              • KubeYAML   YAML ⇄ JSON with kubectl's rules (161 kubectl-generated fixtures)
              • KubeClient libcurl client: kubeconfig/in-cluster/exec auth, REST verbs,
                server-side apply, typed Status errors, retries, watches on one loop thread

            Not built yet, so not run here:
              • KubeSim, the embedded API server (issue 3) — dev will start three regions on it
              • the Evolution controller and ledger (issues 4–6)

            Try it:
              causeway convert -o json manifest.yaml     # see exactly how a manifest is read
              causeway get --kubeconfig FILE ConfigMap   # talk to a real cluster
              causeway-bench                             # the speed figures (release build)
            """)
    }
}
