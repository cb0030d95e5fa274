/**
 * SNS message signatures (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 *
 * A subscriber verifies a message by rebuilding the canonical string from the delivered JSON and checking the
 * `Signature` against the key behind `SigningCertURL`; the string below must therefore match AWS's byte for byte
 * (field set, field order, trailing newline), or every SDK verifier rejects our messages.
 */
import { generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';

export type SignatureVersion = '1' | '2';

export type SignedMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** The message fields that take part in a signature, named as they appear in the delivered JSON. */
export interface SignableFields {
  Type: SignedMessageType;
  Message: string;
  MessageId: string;
  Timestamp: string;
  TopicArn: string;
  /** Notifications only; left out of the string when absent. */
  Subject?: string;
  /** Confirmations only. */
  SubscribeURL?: string;
  /** Confirmations only. */
  Token?: string;
}

// AWS lists the fields alphabetically; the order is part of the format, not a convenience.
const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const;

/** The string SNS signs: each present field as "Name\nvalue\n", in AWS's order for the message type. */
export function canonicalString(fields: SignableFields): string {
  const names = fields.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let out = '';
  for (const name of names) {
    const value = fields[name];
    // Verifiers skip a field the message lacks (AWS documents this for Subject), so we must too.
    if (value === undefined) continue;
    out += `${name}\n${value}\n`;
  }
  return out;
}

interface SigningKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
}

let keys: SigningKeys | undefined;

// One key pair per process: generating RSA-2048 costs tens of milliseconds, and every message of the process must
// verify against the one public key the cert URL serves.
function signingKeys(): SigningKeys {
  if (keys === undefined) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      privateKey: pair.privateKey,
      publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }
  return keys;
}

/**
 * The PEM served at the SigningCertURL. AWS serves an X.509 certificate there, but node:crypto can only parse
 * certificates, not mint them, so this is the bare SPKI public key ("BEGIN PUBLIC KEY"): verifiers that extract the
 * key themselves (openssl pkey, crypto.verify) work; SDK helpers that insist on a certificate chain will not.
 */
export function signingPublicKeyPem(): string {
  return signingKeys().publicKeyPem;
}

/** Base64 RSA signature of the canonical string: version 1 is SHA1withRSA, version 2 SHA256withRSA. */
export function sign(fields: SignableFields, version: SignatureVersion): string {
  const algorithm = version === '2' ? 'sha256' : 'sha1';
  return cryptoSign(algorithm, Buffer.from(canonicalString(fields), 'utf8'), signingKeys().privateKey).toString('base64');
}
