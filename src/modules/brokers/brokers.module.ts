import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SourcesModule } from '../sources';
import { BrokerRejectionEntity } from './broker-rejection.entity';
import { BrokerRejectionsRepository } from './broker-rejections.repository';
import { BrokerRejectionsService } from './broker-rejections.service';

/** Brokers on the API side: reading a pub/sub source's rejected messages. */
@Module({
  imports: [TypeOrmModule.forFeature([BrokerRejectionEntity]), SourcesModule],
  providers: [BrokerRejectionsRepository, BrokerRejectionsService],
  exports: [BrokerRejectionsService],
})
export class BrokersModule {}
