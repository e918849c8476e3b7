Console.WriteLine("rlk");
