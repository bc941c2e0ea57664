import { render } from 'preact';
import '../shared/styles.css';
import { Portal } from './Portal';

render(<Portal />, document.getElementById('app')!);
