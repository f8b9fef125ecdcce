import Foundation
import Testing
@testable import WizardApp
import WizardUI

/// The machine's offset read through libc is the one Foundation reads for
/// the same moments (its own zone, whatever the machine is set to).
struct LocalClockZoneTests {
    @Test func theMachinesOffsetIsFoundationsForEachMoment() {
        for index in 0..<200 {
            let date = Date(timeIntervalSince1970: Double(index) * 9_467_280)  // every season of 60 years
            #expect(LocalClockZone.at(date).secondsFromUTC == TimeZone.current.secondsFromGMT(for: date), "\(date)")
        }
    }
}
