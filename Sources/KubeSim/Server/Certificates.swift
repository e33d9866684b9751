import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority minted at start-up and a serving certificate it
/// signed for localhost and 127.0.0.1: kubectl only sends tokens over TLS.
public struct SimCertificates: Sendable {
    public var caPEM: String
    public var serverCertificatePEM: String
    public var serverKeyPEM: String

    /// A CA and a server certificate it signed for 127.0.0.1, localhost and `dnsNames`.
    public static func generate(name: String, dnsNames: [String] = []) throws -> SimCertificates {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("KubeSim CA (\(name))") }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 365 * 86400, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(caKey))
        let serverKey = P256.Signing.PrivateKey()
        let server = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 365 * 86400, issuer: caName,
            subject: try DistinguishedName { CommonName("kubesim") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))] + dnsNames.map { .dnsName($0) })
            },
            issuerPrivateKey: .init(caKey))
        return SimCertificates(caPEM: try ca.serializeAsPEM().pemString,
                               serverCertificatePEM: try server.serializeAsPEM().pemString,
                               serverKeyPEM: serverKey.pemRepresentation)
    }
}
