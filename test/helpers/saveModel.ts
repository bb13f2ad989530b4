export { saveModelFiles } from '../../src/model/saveModelFiles';
