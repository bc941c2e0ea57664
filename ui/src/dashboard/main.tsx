import { render } from 'preact';
import '../shared/styles.css';
import { Dashboard } from './Dashboard';

render(<Dashboard />, document.getElementById('app')!);
