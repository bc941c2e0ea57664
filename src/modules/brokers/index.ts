export { BrokersModule } from './brokers.module';
export { BrokersWorkerModule } from './brokers.worker.module';
export { BrokerRejectionsController } from './broker-rejections.controller';
export { BrokerSupervisor } from './broker-supervisor';
export { BROKER_MESSAGE_ID_HEADER, MESSAGE_TYPE_HEADER } from './broker-message';
