// Serves the key SNS signatures verify with, at the SigningCertURL notifications carry. Node
// cannot mint X.509 certificates, so this is the public key in PEM; a verifier that reads the key
// out of the PEM works, one that insists on a certificate chain does not. Each process signs with
// its own key: in a multi-process cluster only the scheduler that signed knows the key.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { signingPublicKeyPem } from '../../scheduler/topics/signing.js';

export const SIGNING_CERT_PATH = '/SimpleNotificationService-stratus.pem';

export function serveSigningCert(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' || req.url !== SIGNING_CERT_PATH) return false;
  res.writeHead(200, { 'content-type': 'application/x-pem-file' });
  res.end(signingPublicKeyPem());
  return true;
}
