export { PortalLinksModule } from './portal-links.module';
export { PortalLinksService } from './portal-links.service';
export type { PortalSession } from './portal-links.service';
export { PortalLinksController } from './portal-links.controller';
export { PortalEndpointsController } from './portal-endpoints.controller';
export { PortalActivityController } from './portal-activity.controller';
export { PortalSessionController } from './portal-session.controller';
export { authenticatePortalBeforeBody } from './portal-auth.guard';
