/// Finding an ASCII word in bytes, ASCII letters folded when asked: what a
/// plan does thousands of times (a pooler's name in each session's
/// application_name, a secret option's name in a whole pg_hba.conf), where
/// String's `contains` goes through Foundation's locale-aware search.
public enum ASCIISearch {
    /// `needle` must be ASCII; with `caseFolded`, lowercase letters only.
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8], caseFolded: Bool = false) -> Bool {
        guard let first = needle.first else { return true }
        guard haystack.count >= needle.count else { return false }
        // Setting bit 5 lowercases an ASCII letter and maps no other byte onto one.
        let fold: UInt8 = caseFolded ? 0x20 : 0
        return haystack.withUnsafeBufferPointer { bytes in
            for start in 0...(bytes.count - needle.count) where bytes[start] | fold == first {
                var offset = 1
                while offset < needle.count && bytes[start + offset] | fold == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            return false
        }
    }
}
