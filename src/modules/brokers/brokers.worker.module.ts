import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events';
import { FunctionsModule } from '../functions';
import { ProjectsModule } from '../projects';
import { SourcesModule } from '../sources';
import { BrokerIngest } from './broker-ingest';
import { BrokerMetrics } from './broker-metrics';
import { BrokerRejectionEntity } from './broker-rejection.entity';
import { BrokerRejectionsRepository } from './broker-rejections.repository';
import { BrokerSupervisor } from './broker-supervisor';

/** Worker duty `brokers`: the consumers of every pub/sub source, supervised. */
@Module({
  imports: [TypeOrmModule.forFeature([BrokerRejectionEntity]), SourcesModule, EventsModule, ProjectsModule, FunctionsModule],
  providers: [BrokerRejectionsRepository, BrokerIngest, BrokerMetrics, BrokerSupervisor],
  exports: [BrokerSupervisor],
})
export class BrokersWorkerModule {}
