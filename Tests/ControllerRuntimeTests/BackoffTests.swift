import Testing
@testable import ControllerRuntime

@Suite struct BackoffTests {
    @Test func doublesFromFiveMillisecondsUpToTheCap() {
        let backoff = Backoff()
        #expect(backoff.delay(afterFailures: 0) == .milliseconds(5))
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(10))
        #expect(backoff.delay(afterFailures: 2) == .milliseconds(20))
        #expect(backoff.delay(afterFailures: 10) == .milliseconds(5120))
        // 5 ms · 2^17 = 655.36 s; 2^18 would be 1310.72 s, past the cap.
        #expect(backoff.delay(afterFailures: 17) == .milliseconds(655_360))
        #expect(backoff.delay(afterFailures: 18) == .seconds(1000))
        #expect(backoff.delay(afterFailures: 500) == .seconds(1000))
        #expect(backoff.delay(afterFailures: -3) == .milliseconds(5))
    }

    @Test func jitterOnlyShortensAndStaysUnderTheCap() {
        let backoff = Backoff(jitter: 0.1)
        #expect(backoff.delay(afterFailures: 0, random: 0) == .milliseconds(5))
        #expect(backoff.delay(afterFailures: 0, random: 0.5) == .microseconds(4750))
        #expect(backoff.delay(afterFailures: 3, random: 1) == .milliseconds(36))
        #expect(backoff.delay(afterFailures: 40, random: 0) == .seconds(1000))
        #expect(backoff.delay(afterFailures: 40, random: 0.5) == .seconds(950))
    }
}
