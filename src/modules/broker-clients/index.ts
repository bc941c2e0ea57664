export * from './broker-settings';
export { checkBroker, createConsumer } from './broker-connector';
export { BrokerAddressRefused, brokerTargets, checkBrokerAddresses } from './broker-addresses';
