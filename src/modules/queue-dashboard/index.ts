export { dashboardToken, installQueueDashboard, QUEUE_DASHBOARD_PATH } from './queue-dashboard';
