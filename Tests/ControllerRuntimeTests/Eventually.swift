import Testing

/// Waits (polling every few milliseconds, up to `timeout`) until `condition` holds; records an issue if it never does.
func eventually(_ what: String = "", timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
                _ condition: () async throws -> Bool) async rethrows {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try? await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("timed out waiting: \(what)", sourceLocation: sourceLocation)
}
