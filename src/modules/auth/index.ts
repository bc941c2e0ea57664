export { AuthModule } from './auth.module';
export { ApiKeysService } from './api-keys.service';
export type { IssuedKey } from './api-keys.service';
export { AuthGuard, authenticateBeforeBody } from './auth.guard';
export { RequestRateLimiter } from './request-rate-limiter';
export { ApiKeyEntity } from './api-key.entity';
export { ApiKeyResponseDto, CreateApiKeyDto } from './dto/api-key.dto';
export { AdminOnly, ProjectAccess, Public, CurrentPrincipal } from './auth.decorators';
export type { Principal } from './principal';
