/// A minimal DER walker for what swift-certificates refuses to parse: RSA
/// keys under 2048 bits (swift-crypto rejects them), which the inspection
/// must still name as weak instead of calling the file garbage.
enum DERProbe {
    struct Element {
        var tag: UInt8
        var content: ArraySlice<UInt8>
        var isConstructed: Bool { tag & 0x20 != 0 }
    }

    static let rsaEncryptionOID: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]

    static func elements(_ bytes: ArraySlice<UInt8>) -> [Element]? {
        var result: [Element] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let tag = bytes[index]
            index += 1
            guard index < bytes.endIndex else { return nil }
            var length = Int(bytes[index])
            index += 1
            if length & 0x80 != 0 {
                let count = length & 0x7f
                guard count > 0, count <= 4, index + count <= bytes.endIndex else { return nil }
                length = bytes[index..<index + count].reduce(0) { $0 << 8 | Int($1) }
                index += count
            }
            guard length >= 0, index + length <= bytes.endIndex else { return nil }
            result.append(Element(tag: tag, content: bytes[index..<index + length]))
            index += length
        }
        return result
    }

    static func integerBits(_ content: ArraySlice<UInt8>) -> Int {
        let significant = content.drop { $0 == 0 }
        guard let first = significant.first else { return 0 }
        return (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    /// Modulus size of the first RSA public key found (a SubjectPublicKeyInfo
    /// anywhere in a certificate), or of a PKCS#1 / PKCS#8 RSA private key.
    static func rsaModulusBits(_ der: [UInt8]) -> Int? {
        guard let top = elements(der[...]), let first = top.first else { return nil }
        return search(first, depth: 0)
    }

    private static func search(_ element: Element, depth: Int) -> Int? {
        guard element.isConstructed, depth < 6, let children = elements(element.content) else { return nil }
        // PKCS#1 private key: version 0, modulus, public exponent, ...
        if children.count >= 9, children.allSatisfy({ $0.tag == 0x02 }) { return integerBits(children[1].content) }
        for (index, child) in children.enumerated() where child.tag == 0x30 {
            if let inner = elements(child.content), inner.first?.tag == 0x06, Array(inner[0].content) == rsaEncryptionOID,
               index + 1 < children.count {
                let holder = children[index + 1]
                // SubjectPublicKeyInfo: BIT STRING (unused-bits byte) holding RSAPublicKey.
                if holder.tag == 0x03, let key = elements(holder.content.dropFirst())?.first,
                   let parts = elements(key.content), parts.count == 2 {
                    return integerBits(parts[0].content)
                }
                // PKCS#8: OCTET STRING holding the PKCS#1 key.
                if holder.tag == 0x04, let key = elements(holder.content)?.first { return search(key, depth: depth + 1) }
            }
            if let found = search(child, depth: depth + 1) { return found }
        }
        return nil
    }
}
