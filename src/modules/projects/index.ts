export { ProjectsModule } from './projects.module';
export { ProjectsService } from './projects.service';
export { ProjectsController } from './projects.controller';
export { ApiKeysController } from './api-keys.controller';
export { ProjectEntity } from './project.entity';
export type { ProjectConfig, SignatureVersion } from './project-config';
