package testdb

import ("testing"; "time"; "fmt")

func TestProbePG(t *testing.T) {
	for i := 0; i < 3; i++ {
	st := time.Now()
	s := StartPostgres(t)
	fmt.Println("start", time.Since(st))
	s.Stop()
	}
}
