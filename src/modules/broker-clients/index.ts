export * from './broker-settings';
export { checkBroker, createConsumer } from './broker-connector';
