/// Finding a short byte string in a large buffer (Boyer-Moore-Horspool):
/// a log is mostly lines without it, and the search skips most of their
/// bytes without looking at them (docs/EVIDENCE.md, `log`, for its speed).
struct ByteSearch {
    let needle: [UInt8]
    private var skip = [Int](repeating: 0, count: 256)

    init(_ text: String) {
        needle = Array(text.utf8)
        for index in 0..<256 { skip[index] = needle.count }
        for (index, byte) in needle.dropLast().enumerated() { skip[Int(byte)] = needle.count - 1 - index }
    }

    /// The offset of the first occurrence at or after `from`, or nil.
    func first(in buffer: UnsafeRawBufferPointer, from: Int) -> Int? {
        let count = needle.count
        guard count > 0, buffer.count - from >= count, let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        return needle.withUnsafeBufferPointer { pattern -> Int? in
            skip.withUnsafeBufferPointer { table -> Int? in
                let last = count - 1
                let final = pattern[last]
                var position = from
                let end = buffer.count - count
                while position <= end {
                    let byte = base[position + last]
                    if byte == final {
                        var index = last - 1
                        while index >= 0 && base[position + index] == pattern[index] { index -= 1 }
                        if index < 0 { return position }
                    }
                    position += table[Int(byte)]
                }
                return nil
            }
        }
    }
}
