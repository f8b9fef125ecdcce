/// A unified diff of two texts, as `diff -u` prints it: patience anchors
/// (lines unique on both sides) split the texts, Myers' algorithm diffs what
/// lies between them. A hostssl rewrite of a 10,000-line file changes
/// thousands of scattered lines; plain Myers needs O(D x N) memory for that.
public enum UnifiedDiff {
    public static func make(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let oldLines = lines(old), newLines = lines(new)
        guard oldLines != newLines else { return "" }
        // Each distinct line as a number, once: every comparison, count and
        // hash below is then on integers, not on the lines' text.
        var numbers: [Substring: Int] = [:]
        numbers.reserveCapacity(oldLines.count + newLines.count)
        func number(_ line: Substring) -> Int {
            if let known = numbers[line] { return known }
            numbers[line] = numbers.count
            return numbers.count - 1
        }
        let a = oldLines.map(number), b = newLines.map(number)
        var script: [Edit] = []
        patience(a, b, a.indices, b.indices, into: &script)
        var output = ["--- \(oldName)", "+++ \(newName)"]
        // Group edits into hunks with `context` lines around them.
        var index = 0
        while index < script.count {
            guard let firstChange = script[index...].firstIndex(where: { $0.kind != .same }) else { break }
            let start = max(firstChange - context, index)
            var end = firstChange
            var lastChange = firstChange
            while end < script.count {
                if script[end].kind != .same { lastChange = end }
                if end - lastChange > 2 * context { break }
                end += 1
            }
            end = min(lastChange + context + 1, script.count)
            let hunk = script[start..<end]
            let oldStart = (hunk.first?.oldIndex ?? 0) + 1
            let newStart = (hunk.first?.newIndex ?? 0) + 1
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            output.append("@@ -\(oldCount == 0 ? oldStart - 1 : oldStart),\(oldCount) +\(newCount == 0 ? newStart - 1 : newStart),\(newCount) @@")
            for edit in hunk {
                switch edit.kind {
                case .same: output.append(" " + oldLines[edit.oldIndex])
                case .delete: output.append("-" + oldLines[edit.oldIndex])
                case .insert: output.append("+" + newLines[edit.newIndex])
                }
            }
            index = end
        }
        return output.joined(separator: "\n") + "\n"
    }

    /// One line of the script: its kind and where it stands on each side.
    struct Edit {
        enum Kind { case same, delete, insert }
        var kind: Kind
        var oldIndex: Int
        var newIndex: Int
    }

    /// Lines split on LF as bytes: "\r\n" is one Character in Swift, so a
    /// Character split would not see CRLF line ends. A CR stays on its line.
    static func lines(_ text: String) -> [Substring] {
        // LF never occurs inside a multi-byte UTF-8 sequence, so each piece is
        // valid text; the pieces stay views of the text (no copy per line).
        var result = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Substring.init)
        if result.last == "" { result.removeLast() }
        return result
    }

    /// Myers' greedy shortest edit script.
    static func editScript(_ a: [Int], _ b: [Int]) -> [Edit] {
        let n = a.count, m = b.count
        let maximum = n + m
        var v = [Int](repeating: 0, count: 2 * maximum + 2)
        var trace: [[Int]] = []
        var found = false
        for d in 0...maximum {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[k - 1 + maximum] < v[k + 1 + maximum]) {
                    x = v[k + 1 + maximum]
                } else {
                    x = v[k - 1 + maximum] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[k + maximum] = x
                if x >= n, y >= m { found = true; break }
            }
            if found { break }
        }
        var edits: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let previousK = (k == -d || (k != d && v[k - 1 + maximum] < v[k + 1 + maximum])) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : v[previousK + maximum]
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1; y -= 1
                edits.append(Edit(kind: .same, oldIndex: x, newIndex: y))
            }
            if d > 0 {
                if x == previousX {
                    y -= 1
                    edits.append(Edit(kind: .insert, oldIndex: x, newIndex: y))
                } else {
                    x -= 1
                    edits.append(Edit(kind: .delete, oldIndex: x, newIndex: y))
                }
            }
        }
        return edits.reversed()
    }

    /// Common ends, then anchors (unique on both sides, in increasing order
    /// on both), recursing between them; Myers where no anchor is left.
    static func patience(_ a: [Int], _ b: [Int], _ aRange: Range<Int>, _ bRange: Range<Int>, into edits: inout [Edit]) {
        var aLow = aRange.lowerBound, bLow = bRange.lowerBound
        var aHigh = aRange.upperBound, bHigh = bRange.upperBound
        while aLow < aHigh, bLow < bHigh, a[aLow] == b[bLow] {
            edits.append(Edit(kind: .same, oldIndex: aLow, newIndex: bLow))
            aLow += 1; bLow += 1
        }
        var suffix: [Edit] = []
        while aHigh > aLow, bHigh > bLow, a[aHigh - 1] == b[bHigh - 1] {
            aHigh -= 1; bHigh -= 1
            suffix.append(Edit(kind: .same, oldIndex: aHigh, newIndex: bHigh))
        }
        let anchors = uniqueCommonAnchors(a, b, aLow..<aHigh, bLow..<bHigh)
        if anchors.isEmpty {
            for edit in editScript(Array(a[aLow..<aHigh]), Array(b[bLow..<bHigh])) {
                edits.append(Edit(kind: edit.kind, oldIndex: edit.oldIndex + aLow, newIndex: edit.newIndex + bLow))
            }
        } else {
            var (aStart, bStart) = (aLow, bLow)
            for (aIndex, bIndex) in anchors {
                patience(a, b, aStart..<aIndex, bStart..<bIndex, into: &edits)
                edits.append(Edit(kind: .same, oldIndex: aIndex, newIndex: bIndex))
                (aStart, bStart) = (aIndex + 1, bIndex + 1)
            }
            patience(a, b, aStart..<aHigh, bStart..<bHigh, into: &edits)
        }
        edits += suffix.reversed()
    }

    /// Lines occurring exactly once in each range, paired, reduced to the
    /// longest run increasing on both sides (patience sorting).
    static func uniqueCommonAnchors(_ a: [Int], _ b: [Int], _ aRange: Range<Int>, _ bRange: Range<Int>) -> [(Int, Int)] {
        var countsA: [Int: (count: Int, index: Int)] = [:]
        for index in aRange { countsA[a[index], default: (0, index)].count += 1 }
        var countsB: [Int: (count: Int, index: Int)] = [:]
        for index in bRange { countsB[b[index], default: (0, index)].count += 1 }
        let pairs = aRange.compactMap { index -> (Int, Int)? in
            guard let inA = countsA[a[index]], inA.count == 1, let inB = countsB[a[index]], inB.count == 1 else { return nil }
            return (index, inB.index)
        }
        guard !pairs.isEmpty else { return [] }
        // Longest increasing subsequence of the b positions.
        var tails: [Int] = []
        var previous = [Int](repeating: -1, count: pairs.count)
        for (position, pair) in pairs.enumerated() {
            var low = 0, high = tails.count
            while low < high {
                let middle = (low + high) / 2
                if pairs[tails[middle]].1 < pair.1 { low = middle + 1 } else { high = middle }
            }
            if low > 0 { previous[position] = tails[low - 1] }
            if low == tails.count { tails.append(position) } else { tails[low] = position }
        }
        var result: [(Int, Int)] = []
        var cursor = tails.last ?? -1
        while cursor >= 0 { result.append(pairs[cursor]); cursor = previous[cursor] }
        return result.reversed()
    }
}
