export * from './ip';
export * from './classify';
export * from './host';
export * from './allow-list';
export * from './policy';
export * from './errors';
export * from './url-policy';
export * from './guarded-connect';
