import { Module } from '@nestjs/common';
import { EncryptionService } from './encryption.service';
import { InstanceSettingsRepository } from './instance-settings.repository';

@Module({
  providers: [InstanceSettingsRepository, EncryptionService],
  exports: [EncryptionService],
})
export class InstanceModule {}
