/// Applies the rewrite policy: every `host` (and `hostnogssenc`) rule that
/// can match a non-loopback client becomes `hostssl`; `local` lines,
/// `hostgssenc` (already encrypted) and `reject` rules are left alone;
/// `hostnossl` rules are reported. Comments and layout are kept. With
/// `keepGSSEncrypted`, each converted line gets a `hostgssenc` twin right
/// after it (docs/POSTGRES.md, "GSS encryption").
public enum HostsslRewriter {
    public static func rewrite(_ document: HBADocument, policy: RewritePolicy, files: any FileSource = InMemoryFiles()) -> RewriteResult {
        var originals: [String: [UInt8]] = [document.path: document.bytes]
        var edits: [String: [TextEdit]] = [:]
        var changes: [RewriteChange] = []

        // The parsed lines, not `rules`: each rule comes with its record (a GSS twin copies it) without a search.
        for line in document.lines {
            guard let rule = line.rule else { continue }
            let file = rule.file
            if originals[file] == nil, case .contents(let bytes) = files.read(file) { originals[file] = bytes }
            switch decide(rule, policy: policy) {
            case .convert(let reason, let removes):
                guard let bytes = originals[file] else { continue }
                edits[file, default: []].append(LosslessPrinter.replaceKeepingColumns(rule.typeToken.span, with: "hostssl", in: bytes))
                changes.append(RewriteChange(kind: .converted, file: file, lineNumber: rule.lineNumber, reason: reason, removes: removes))
                // Only a `host` line admitted GSS-encrypted clients (hostnogssenc never did).
                if policy.keepGSSEncrypted && document.context.build.gssapi && rule.connectionType == .host {
                    edits[file, default: []].append(gssTwin(of: rule, record: line.tokenized, in: bytes))
                    changes.append(RewriteChange(kind: .appended, file: file, lineNumber: rule.lineNumber,
                                                 reason: "hostgssenc twin added after line \(rule.lineNumber): hostssl never admits GSS-encrypted (Kerberos) clients, this line keeps them in"))
                }
            case .keep(let reason):
                changes.append(RewriteChange(kind: .kept, file: file, lineNumber: rule.lineNumber, reason: reason))
            case .report(let reason):
                changes.append(RewriteChange(kind: .reported, file: file, lineNumber: rule.lineNumber, reason: reason))
            case .ignore:
                break
            }
        }

        var rewritten: [String: [UInt8]] = [:]
        for (file, bytes) in originals { rewritten[file] = LosslessPrinter.apply(edits[file] ?? [], to: bytes) }
        if policy.addRejectLines {
            let (text, lines) = rejectLines(after: rewritten[document.path] ?? [], layoutFrom: document)
            let base = rewritten[document.path] ?? []
            let firstNew = base.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } + (base.last == 0x0A || base.isEmpty ? 0 : 1)
            rewritten[document.path] = base + text
            for (offset, reason) in lines.enumerated() {
                changes.append(RewriteChange(kind: .appended, file: document.path, lineNumber: firstNew + 1 + offset, reason: reason))
            }
        }
        return RewriteResult(originals: originals, rewritten: rewritten, changes: changes)
    }

    /// The same record with `hostgssenc` for its type, inserted after the
    /// record's physical lines as the tokenizer read them (continuations,
    /// CR LF and the version's continuation rule included).
    static func gssTwin(of rule: HBARule, record: TokenizedLine, in bytes: [UInt8]) -> TextEdit {
        let end = record.span.end
        let typeEdit = LosslessPrinter.replaceKeepingColumns(rule.typeToken.span, with: "hostgssenc", in: bytes)
        var twin = Array(bytes[record.span.start..<typeEdit.span.start]) + typeEdit.replacement + Array(bytes[typeEdit.span.end..<end])
        let endsLine = end > 0 && bytes[end - 1] == 0x0A
        if twin.last != 0x0A { twin.append(0x0A) }
        return TextEdit(span: SourceSpan(file: rule.typeToken.span.file, start: end, end: end), replacement: (endsLine ? [] : [0x0A]) + twin)
    }

    enum Decision {
        case convert(String, removes: String?)
        case keep(String)
        case report(String)
        case ignore
    }

    static func decide(_ rule: HBARule, policy: RewritePolicy) -> Decision {
        switch rule.connectionType {
        case .local, .hostssl:
            return .ignore
        case .hostgssenc:
            return .report("hostgssenc: already encrypted by GSSAPI; left as it is")
        case .hostnossl:
            return rule.method == .reject ? .ignore
                : .report("hostnossl admits plain text on purpose; review it (it is not changed)")
        case .host, .hostnogssenc:
            break
        }
        let type = rule.connectionType.rawValue
        if rule.method == .reject {
            return .keep("\(type) ... reject refuses every client whatever the encryption; left as it is so it keeps refusing")
        }
        switch reach(of: rule.address) {
        case .loopbackOnly(let what):
            return policy.includeLoopback
                ? .convert("\(what) only; converted because loopback conversion was asked for", removes: "plain-text access from \(what)")
                : .keep("\(what) only: traffic never leaves the host; kept (use --include-loopback to convert)")
        case .remoteAndLoopback(let what):
            return .convert("\(what) can match remote clients", removes: "plain-text access from loopback (\(what) covers it too)")
        case .remote(let what):
            return .convert("\(what) can match remote clients", removes: nil)
        }
    }

    enum Reach {
        case loopbackOnly(String)
        case remoteAndLoopback(String)
        case remote(String)
    }

    static func reach(of address: AddressSpec?) -> Reach {
        switch address {
        case nil, .all?:
            return .remoteAndLoopback("all")
        case .sameNet?:
            return .remoteAndLoopback("samenet")
        case .sameHost?:
            return .loopbackOnly("samehost (the server's own addresses)")
        case .hostname(let name)?:
            return name.lowercased() == "localhost" ? .loopbackOnly("localhost") : .remote("host name \(name)")
        case .network(let network, let mask)?:
            let text = "\(network)/\(mask.prefixLength.map(String.init) ?? mask.description)"
            let loopbackNetwork = network.family == .v4 ? IPAddress.loopbackV4 : IPAddress.loopbackV6
            let loopbackMask = IPAddress.mask(bits: network.family == .v4 ? 8 : 128, family: network.family)!
            // Inside loopback: every address the rule admits is loopback (the
            // mask keeps at least the loopback prefix, and the network is in it).
            let inside = mask.masked(by: loopbackMask) == loopbackMask
                && network.masked(by: loopbackMask) == loopbackNetwork.masked(by: loopbackMask)
            if inside { return .loopbackOnly(text) }
            let coversLoopback = (network.family == .v4 ? IPAddress.loopbackV4 : IPAddress.loopbackV6).isInRange(of: network, mask: mask)
            return coversLoopback ? .remoteAndLoopback(text) : .remote(text)
        }
    }

    /// Catch-all lines that turn the implicit reject of plain-text TCP into an
    /// explicit one. `all,replication` also covers physical replication,
    /// which `all` alone never matches.
    static func rejectLines(after bytes: [UInt8], layoutFrom document: HBADocument) -> ([UInt8], [String]) {
        let columns = layoutColumns(document)
        func line(_ fields: [String]) -> String {
            var text = ""
            for (index, field) in fields.enumerated() {
                if index > 0 {
                    let target = index < columns.count ? columns[index] : text.count + 1
                    text += String(repeating: " ", count: max(1, target - text.count))
                }
                text += field
            }
            return text
        }
        var text = (bytes.isEmpty || bytes.last == 0x0A) ? "" : "\n"
        text += "# Added by pg-ssl-wizard: refuse plain-text TCP with an explicit reason.\n"
        text += line(["hostnossl", "all,replication", "all", "0.0.0.0/0", "reject"]) + "\n"
        text += line(["hostnossl", "all,replication", "all", "::/0", "reject"]) + "\n"
        let reason = "refuses plain-text TCP explicitly (\"pg_hba.conf rejects connection\") instead of the implicit \"no pg_hba.conf entry\""
        return (Array(text.utf8), [reason, reason])
    }

    /// Field start columns of the last TCP rule of the file, so appended lines line up.
    static func layoutColumns(_ document: HBADocument) -> [Int] {
        guard let rule = document.rules.last(where: { $0.file == document.path && $0.connectionType.isTCP }),
              let line = document.lines.first(where: { $0.rule == rule }) else { return [] }
        let bytes = document.bytes
        var lineStart = line.tokenized.span.start
        while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
        var columns: [Int] = []
        for field in line.tokenized.fields.prefix(5) {
            guard let first = field.first, first.span.start >= lineStart, first.expandedFrom == nil else { return columns }
            columns.append(LosslessPrinter.column(of: bytes[lineStart..<first.span.start]))
        }
        return columns
    }
}
