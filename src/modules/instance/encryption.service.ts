import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { keyId, open, seal, SealedSecret } from '../../common/crypto/secret-box';
import { InstanceSettingsRepository } from './instance-settings.repository';

const GENERATED_KEY = 'generated_encryption_key';
/** Opened secrets kept per process: the worker opens an endpoint's secrets for every delivery. */
const MAX_OPENED = 10_000;

/**
 * Seals secrets at rest with AES-256-GCM. The key comes from CARAVAN_ENCRYPTION_KEY; for a
 * laptop without one, a key is generated once and kept in the database (and a warning
 * logged on every start), which protects nothing against a database thief: production
 * deployments set the variable.
 */
@Injectable()
export class EncryptionService implements OnModuleInit {
  private readonly logger = new Logger(EncryptionService.name);
  private current!: Buffer;
  private readonly keys = new Map<string, Buffer>();
  private readonly opened = new Map<string, string>();

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly settings: InstanceSettingsRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const generated = await this.settings.get(GENERATED_KEY);
    if (generated) this.keys.set(keyId(Buffer.from(generated, 'base64')), Buffer.from(generated, 'base64'));
    if (this.config.encryptionKey) {
      this.current = this.config.encryptionKey;
    } else {
      this.logger.warn('CARAVAN_ENCRYPTION_KEY is not set: using a key generated and stored in the database; set the variable in production');
      const value = await this.settings.getOrInsert(GENERATED_KEY, randomBytes(32).toString('base64'));
      this.current = Buffer.from(value, 'base64');
    }
    this.keys.set(keyId(this.current), this.current);
  }

  seal(plaintext: string): SealedSecret {
    return seal(this.current, plaintext);
  }

  /**
   * The plaintext of a sealed secret. Every seal has a fresh IV, so the sealed form names
   * one plaintext for good and the answer can be remembered: deciphering it again for each
   * delivery was a visible share of the worker's CPU.
   */
  open(sealed: SealedSecret): string {
    const id = `${sealed.kid}.${sealed.iv}.${sealed.tag}.${sealed.ct}`;
    const hit = this.opened.get(id);
    if (hit !== undefined) return hit;
    const plain = open(this.keys, sealed);
    if (this.opened.size >= MAX_OPENED) this.opened.clear();
    this.opened.set(id, plain);
    return plain;
  }
}
