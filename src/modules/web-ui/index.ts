export { builtUiDir, installWebUi } from './web-ui';
export type { WebUiStatus } from './web-ui';
