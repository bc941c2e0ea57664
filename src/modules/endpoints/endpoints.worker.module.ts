import { Module } from '@nestjs/common';
import { EndpointsModule } from './endpoints.module';
import { ExpiredSecretPurger } from './expired-secret-purger';

/** Worker duty `secret-purge`: removes endpoint secrets whose rotation overlap is over. */
@Module({
  imports: [EndpointsModule],
  providers: [ExpiredSecretPurger],
})
export class EndpointsWorkerModule {}
