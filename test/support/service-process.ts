// Tests start services through the same runner as the development platform.
export {
  serviceNames,
  startServiceProcess,
  type ServiceProcess,
  type ServiceName,
} from '../../simulator/src/service-process';
