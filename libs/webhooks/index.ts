export * from './convoy-signature';
export * from './standard-webhooks';
export { verifyConvoySignature, verifyStandardWebhook, DEFAULT_TOLERANCE_SECONDS } from './verify';
export type { VerifyConvoyOptions, VerifyStandardOptions, HeaderSource, SignatureHash, SignatureEncoding } from './verify';
