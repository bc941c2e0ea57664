export { InstanceModule } from './instance.module';
export { EncryptionService } from './encryption.service';
