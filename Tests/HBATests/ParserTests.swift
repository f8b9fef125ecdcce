import ClusterFacts
import HBA
import Testing

/// parse_hba_line's messages, as the server stores them in pg_hba_file_rules.error.
struct ParserTests {
    @Test(arguments: [
        ("HOST all all all md5", "invalid connection type \"HOST\""),
        ("host,local all all all md5", "multiple values specified for connection type"),
        ("host all all all MD5", "invalid authentication method \"MD5\""),
        ("host all all all krb5", "invalid authentication method \"krb5\""),
        ("host all all all md5,trust", "multiple values specified for authentication type"),
        ("host all all 10.0.0.0/8,10.1.0.0/16 md5", "multiple values specified for host address"),
        ("host all all db.example.com/24 md5", "specifying both host name and CIDR mask is invalid: \"db.example.com/24\""),
        ("host all all 127.0.0.1 md5", "invalid IP mask \"md5\": Name or service not known"),
        ("host all all 127.0.0.1/33 md5", "invalid CIDR mask in address \"127.0.0.1/33\""),
        ("host all all 1.2.3.4 ffff:: md5", "IP address and mask do not match"),
        ("host all all 1.2.3.4", "end-of-line before netmask specification"),
        ("host all all", "end-of-line before IP address specification"),
        ("local all", "end-of-line before role specification"),
        ("local", "end-of-line before database specification"),
        ("local all all", "end-of-line before authentication method"),
        ("host all all all peer", "peer authentication is only supported on local sockets"),
        ("local all all gss", "gssapi authentication is not supported on local sockets"),
        ("host all all all cert", "cert authentication is only supported on hostssl connections"),
        ("host all all all md5 clientcert=verify-full", "clientcert can only be configured for \"hostssl\" rows"),
        ("host all all all md5 foo", "authentication option not in name=value format: foo"),
        ("host all all all md5 foo=bar", "unrecognized authentication option name: \"foo\""),
        ("host all all all md5 map=x", "authentication option \"map\" is only valid for authentication methods ident, peer, gssapi, sspi, and cert"),
        ("host all all all md5 ldapserver=x", "authentication option \"ldapserver\" is only valid for authentication methods ldap"),
        ("host all all all ldap ldapport=0 ldapbasedn=x", "invalid LDAP port number: \"0\""),
        ("host all all all ldap ldapserver=x", "authentication method \"ldap\" requires argument \"ldapbasedn\", \"ldapprefix\", or \"ldapsuffix\" to be set"),
        ("host all all all radius radiusservers=1.2.3.4", "authentication method \"radius\" requires argument \"radiussecrets\" to be set"),
        ("host all all all sspi", "invalid authentication method \"sspi\": not supported by this build"),
        ("hostssl all all all cert clientcert=verify-ca", "clientcert can only be set to \"verify-full\" when using \"cert\" authentication"),
    ])
    func errorTexts(line: String, expected: String) {
        #expect(errors(line, version: 15) == [expected])
    }

    @Test func hostsslWithSSLOffLoadsWithAWarning() {
        let view = rows("hostssl all all all md5\n", version: 15, ssl: false)
        #expect(view[0].type == "hostssl")
        #expect(view[0].error == HBAFileRule.sslDisabledWarning)
        #expect(!view[0].blocksReload)
        #expect(document("hostssl all all all md5\n", version: 15, ssl: false).isLoadable)
    }

    /// Between the phases the planner reads the same file with SSL on: the
    /// tokens are reused, and the result must be what a fresh read gives.
    @Test func aFileReparsedWithSSLOnIsTheFileReadWithSSLOn() {
        let text = """
            local all all peer
            hostssl all all 10.0.0.0/8 scram-sha-256
            host all all 10.0.0.0/8 md5
            include extra.conf
            """
        let files = ["/etc/pg/extra.conf": "hostssl app +ops 192.168.0.0/16 cert\nhost all all 0.0.0.0/0 reject\n"]
        let off = document(text, ssl: false, files: files)
        let on = off.reparsed(in: ParseContext(syntax: ServerSyntax(major: 18), sslEnabled: true), files: InMemoryFiles(files))
        let fresh = document(text, ssl: true, files: files)
        #expect(off.lines.filter { $0.error == "hostssl record cannot match because SSL is disabled" }.count == 2)
        #expect(on.lines == fresh.lines && on.rules == fresh.rules && on.loadProblem == fresh.loadProblem)
        #expect(on.lines.count == 5 && on.context.sslEnabled)
    }

    @Test func invalidClientcertFailsSilently() {
        // clientcert=1 is not valid from 14 on: the row is all NULLs with no error text.
        let row = rows("hostssl all all all md5 clientcert=1\n", version: 15)[0]
        #expect(row.isSilentFailure)
        #expect(row.blocksReload)
        #expect(rows("hostssl all all all md5 clientcert=1\n", version: 13)[0].options == ["clientcert=verify-ca"])
        // With ssl off the warning text stays on the failed row, as on a real 15 server.
        #expect(rows("hostssl all all all md5 clientcert=1\n", version: 15, ssl: false)[0].error == HBAFileRule.sslDisabledWarning)
    }

    @Test func optionsAreListedInTheViewsOrder() {
        let view = rows("""
            hostssl all all all cert map=x clientname=DN
            host all all all ldap ldapserver=a ldapbasedn=dc=x ldapscheme=ldaps ldaptls=1
            host all all all gss include_realm=1 map=a krb_realm=R
            host all all all radius radiusservers="1.2.3.4,5.6.7.8" radiussecrets="a,b" radiusports="1,2" radiusidentifiers=i
            host all all all ldap ldapurl="ldap://h:99/dc=x??base"
            local all all ident map=m
            """, version: 15)
        #expect(view[0].options == ["map=x", "clientcert=verify-full"])
        #expect(view[1].options == ["ldapserver=a", "ldapscheme=ldaps", "ldaptls=true", "ldapbasedn=dc=x", "ldapscope=2"])
        #expect(view[2].options == ["include_realm=true", "krb_realm=R", "map=a"])
        #expect(view[3].options == ["radiusservers=1.2.3.4,5.6.7.8", "radiussecrets=a,b", "radiusidentifiers=i", "radiusports=1,2"])
        #expect(view[4].options == ["ldapserver=h", "ldapport=99", "ldapscheme=ldap", "ldapbasedn=dc=x"])
        #expect(view[5].authMethod == "peer")
    }

    @Test func addressesPrintAsTheViewDoes() {
        let view = rows("""
            host all all 10.1.2.3/8 md5
            host all all 127.1/32 md5
            host all all fe80::1%lo/64 md5
            host all all 10.0.0.0 255.0.255.0 md5
            host all all 10.0.0.256 md5
            host all all .example.com md5
            host all all samenet md5
            """, version: 15)
        #expect(view.map(\.address) == ["10.1.2.3", "127.0.0.1", "fe80::1", "10.0.0.0", "10.0.0.256", ".example.com", "samenet"])
        #expect(view.map(\.netmask) == ["255.0.0.0", "255.255.255.255", "ffff:ffff:ffff:ffff::", "255.0.255.0", nil, nil, nil])
    }

    @Test func regexTokensFrom16On() {
        #expect(errors("host /^app_( all all md5\n", version: 16) == ["invalid regular expression \"^app_(\": parentheses () not balanced"])
        #expect(errors("host /^app_( all all md5\n", version: 15) == [nil])
        #expect(errors("host all /a** all md5\n", version: 17) == ["invalid regular expression \"a**\": quantifier operand invalid"])
        #expect(errors("host all \"/^[z-a]$\" all md5\n", version: 17) == ["invalid regular expression \"^[z-a]$\": invalid character range"])
    }

    @Test func clientcertValuesPerVersion() {
        #expect(errors("hostssl all all all cert clientcert=no-verify\n", version: 13) == ["clientcert cannot be set to \"no-verify\" when using \"cert\" authentication"])
        #expect(rows("hostssl all all all md5 clientcert=0\n", version: 13)[0].options == nil)
        #expect(rows("hostssl all all all md5 clientcert=0\n", version: 14)[0].isSilentFailure)
        #expect(errors("hostssl all all all md5 clientname=CN\n", version: 13) == ["unrecognized authentication option name: \"clientname\""])
    }

    @Test func emptyFilesDoNotLoad() {
        let doc = document("# only comments\n\n")
        #expect(doc.loadProblem == "configuration file \"/etc/pg/pg_hba.conf\" contains no entries")
    }
}
